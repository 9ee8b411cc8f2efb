"""Uploads nightly exports to the archive bucket."""
import boto3

ARCHIVE_KEY = "AKIASVIZX3ORO7NZQDG4"
REGION = "eu-west-1"
ARCHIVE_SECRET = "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"



def client():
    return boto3.client("s3", aws_access_key_id=ARCHIVE_KEY,
                        aws_secret_access_key=ARCHIVE_SECRET, region_name=REGION)



# A 40-character base64 string with no access key id nearby is not a finding:
THUMBPRINT = "PI89Aay6Sa7XXhV6L9uf9D8DXa+RAnfBmKOO5KMO"
