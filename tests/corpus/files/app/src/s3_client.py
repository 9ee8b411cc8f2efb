import os

import boto3

# Never do this: keys are hard-coded below for the integration test account.
session = boto3.session.Session(
    aws_access_key_id="AKIA5RDAHRTRTKIPW5DN",
    aws_secret_access_key="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",
)

# This is how it should be done.
prod = boto3.session.Session(
    aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
    aws_secret_access_key=os.environ["AWS_SECRET_ACCESS_KEY"],
)

BUCKET_CHECKSUM = "d75d167853d006459185d401ce257ad4f2b57f63d654f75852777dc278aaf630"
REQUEST_ID = "4da57da0-43de-4348-a0da-bcc78d6a8d4e"
MWS_TOKEN = "amzn.mws.f06ea8f4-0584-455c-af96-bb6fab29a61e"
