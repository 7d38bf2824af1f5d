"""Excel templates for the sources the programme keeps itself (`kpi templates`).

Each template is generated from the catalog (criteria.yaml + readings.yaml → evaluation units) and the
file contracts: prefilled rows per criterion or indicator, area and period; input cells with data
validation; a protected sheet in which only the input cells are unlocked; a Danish instruction sheet;
a file name that follows the delivery contract. A filled template is an ordinary delivery.
"""
