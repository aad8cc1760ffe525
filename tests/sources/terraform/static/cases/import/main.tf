# An import block adopts an existing workforce; the configuration leaves source_ip_config out,
# so it keeps what AWS holds (the plan reads it, the sources cannot).
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "5.100.0"
    }
  }
}

provider "aws" {
  region = "eu-west-1"
}

import {
  to = aws_sagemaker_workforce.adopted
  id = "adopted"
}

resource "aws_sagemaker_workforce" "adopted" {
  workforce_name = "adopted"
  cognito_config {
    client_id = "client-static"
    user_pool = "eu-west-1_Static01"
  }
}
