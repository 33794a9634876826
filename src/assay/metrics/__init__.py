"""KPIs: rates with Wilson intervals, counts, durations and SLA attainment, by any dimension."""
