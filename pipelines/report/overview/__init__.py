"""The overview across programmes (`kpi report --programmes`): statuses per indsatsområde side by side, what
changed since the last overview, open gaps by supplier, and links to each programme's own report."""
