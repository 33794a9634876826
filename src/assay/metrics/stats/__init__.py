"""Statistics over metric values, as engine expressions: differences between runs (Newcombe
interval, two-proportion test), trends (Mann-Kendall, Sen's slope), anomalies (robust z) and
change attribution (rate and mix effects). Each module cites its reference and is tested
against scipy / pymannkendall or published tables."""
