"""The CDK app that deploys lambda-sqlite-bench (``cd infra && npx cdk deploy``)."""
