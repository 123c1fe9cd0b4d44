"""HTTP side of reporting: the report API and exports, the funder dashboard, the public showcase."""
