"""The report as files: xlsx, csv and pdf, all drawn from `domain.report.sections`."""
