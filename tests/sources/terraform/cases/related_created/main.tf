# A create: the workforces, their pools, app clients and work teams are all new, so every id is
# known only after apply. The references still say which pool each names: the "own" team draws
# its members from the workforce's own pool and client (WF041 passes), the "stray" team from
# another pool the plan creates (WF041 fails).

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

resource "aws_cognito_user_pool" "labelers" {
  name              = "labelers"
  mfa_configuration = "OFF"
}

resource "aws_cognito_user_pool" "other" {
  name              = "other"
  mfa_configuration = "OFF"
}

resource "aws_cognito_user_pool_client" "portal" {
  name         = "portal"
  user_pool_id = aws_cognito_user_pool.labelers.id
}

resource "aws_cognito_user_pool_client" "other" {
  name         = "other"
  user_pool_id = aws_cognito_user_pool.other.id
}

resource "aws_cognito_user_group" "labelers" {
  name         = "labelers"
  user_pool_id = aws_cognito_user_pool.labelers.id
}

resource "aws_cognito_user_group" "other" {
  name         = "other"
  user_pool_id = aws_cognito_user_pool.other.id
}

resource "aws_sagemaker_workforce" "own" {
  workforce_name = "created-own"
  cognito_config {
    client_id = aws_cognito_user_pool_client.portal.id
    user_pool = aws_cognito_user_pool.labelers.id
  }
  source_ip_config {
    cidrs = ["192.0.2.0/24"]
  }
}

resource "aws_sagemaker_workteam" "own" {
  workteam_name  = "own"
  workforce_name = aws_sagemaker_workforce.own.id
  description    = "members from the workforce's own pool and client"
  member_definition {
    cognito_member_definition {
      client_id  = aws_cognito_user_pool_client.portal.id
      user_pool  = aws_cognito_user_pool.labelers.id
      user_group = aws_cognito_user_group.labelers.name
    }
  }
}

resource "aws_sagemaker_workforce" "stray" {
  workforce_name = "created-stray"
  cognito_config {
    client_id = aws_cognito_user_pool_client.portal.id
    user_pool = aws_cognito_user_pool.labelers.id
  }
  source_ip_config {
    cidrs = ["192.0.2.0/24"]
  }
}

resource "aws_sagemaker_workteam" "stray" {
  workteam_name  = "stray"
  workforce_name = aws_sagemaker_workforce.stray.id
  description    = "members from another pool and client"
  member_definition {
    cognito_member_definition {
      client_id  = aws_cognito_user_pool_client.other.id
      user_pool  = aws_cognito_user_pool.other.id
      user_group = aws_cognito_user_group.other.name
    }
  }
}
