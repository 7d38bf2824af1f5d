"""The gap list for suppliers: `data_gaps` of the published warehouse, grouped by who must deliver."""
