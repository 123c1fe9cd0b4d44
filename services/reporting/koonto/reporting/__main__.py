"""`python -m koonto.reporting` starts the reporting service."""

from koonto.reporting.main import spec_and_settings
from koonto.shared.runtime import serve

if __name__ == "__main__":
    serve(spec_and_settings)
