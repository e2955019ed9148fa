"""Stage 5 of the pipeline: views, the job report and exports."""
