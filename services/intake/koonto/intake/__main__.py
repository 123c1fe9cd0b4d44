"""`python -m koonto.intake` starts the intake service."""

from koonto.intake.main import spec_and_settings
from koonto.shared.runtime import serve

if __name__ == "__main__":
    serve(spec_and_settings)
