terraform {
  required_version = ">= 1.5"
}

provider "aws" {
  region     = "us-east-1"
  access_key = "AKIATUXIXHWM7OJSPTUA"
  secret_key = "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"
}

provider "aws" {
  alias      = "prod"
  access_key = var.aws_access_key
  secret_key = var.aws_secret_key
}

resource "aws_db_instance" "main" {
  identifier     = "orders"
  engine         = "postgres"
  username       = "orders"
  password       = random_password.db.result
  kms_key_id     = "arn:aws:kms:us-east-1:444111111111:key/860ca379-694b-4997-bf37-c15324756092"
}
