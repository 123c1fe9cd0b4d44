"""`python -m koonto.advisory` starts the advisory service."""

from koonto.advisory.main import spec_and_settings
from koonto.shared.runtime import serve

if __name__ == "__main__":
    serve(spec_and_settings)
