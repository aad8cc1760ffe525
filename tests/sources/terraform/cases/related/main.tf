# Workforces with the resources they depend on, declared beside them: a Cognito pool and app
# client, work teams that name the workforce, security groups (inline ingress and a separate
# ingress rule) and subnets. One workforce names a pool this configuration does not manage.

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
  name                     = "labelers"
  mfa_configuration        = "OFF"
  auto_verified_attributes = ["email"]
  admin_create_user_config {
    allow_admin_create_user_only = false
  }
  password_policy {
    minimum_length    = 8
    require_lowercase = true
    require_numbers   = true
    require_symbols   = false
    require_uppercase = true
  }
}

resource "aws_cognito_user_pool_client" "portal" {
  name                          = "portal"
  user_pool_id                  = aws_cognito_user_pool.labelers.id
  generate_secret               = true
  prevent_user_existence_errors = "ENABLED"
  enable_token_revocation       = true
  explicit_auth_flows           = ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]
}

resource "aws_cognito_user_group" "labelers" {
  name         = "labelers"
  user_pool_id = aws_cognito_user_pool.labelers.id
}

resource "aws_sagemaker_workforce" "cognito" {
  workforce_name = "related-cognito"
  cognito_config {
    client_id = aws_cognito_user_pool_client.portal.id
    user_pool = aws_cognito_user_pool.labelers.id
  }
  source_ip_config {
    cidrs = ["192.0.2.0/24"]
  }
}

resource "aws_sagemaker_workteam" "restricted" {
  workteam_name  = "restricted"
  workforce_name = aws_sagemaker_workforce.cognito.id
  description    = "S3 presigned URLs only from the allow-list"
  member_definition {
    cognito_member_definition {
      client_id  = aws_cognito_user_pool_client.portal.id
      user_pool  = aws_cognito_user_pool.labelers.id
      user_group = aws_cognito_user_group.labelers.name
    }
  }
  notification_configuration {
    notification_topic_arn = "arn:aws:sns:eu-west-1:111122223333:labeling-work"
  }
  worker_access_configuration {
    s3_presign {
      iam_policy_constraints {
        source_ip = "Enabled"
      }
    }
  }
}

resource "aws_sagemaker_workteam" "open" {
  workteam_name  = "open"
  workforce_name = aws_sagemaker_workforce.cognito.id
  description    = "no presigned URL restriction, no notifications"
  member_definition {
    cognito_member_definition {
      client_id  = aws_cognito_user_pool_client.portal.id
      user_pool  = aws_cognito_user_pool.labelers.id
      user_group = aws_cognito_user_group.labelers.name
    }
  }
}

resource "aws_vpc" "labeling" {
  cidr_block = "10.20.0.0/16"
}

resource "aws_subnet" "a" {
  vpc_id            = aws_vpc.labeling.id
  cidr_block        = "10.20.1.0/24"
  availability_zone = "eu-west-1a"
}

resource "aws_subnet" "b" {
  vpc_id            = aws_vpc.labeling.id
  cidr_block        = "10.20.2.0/24"
  availability_zone = "eu-west-1a"
}

resource "aws_security_group" "portal" {
  name   = "labeling-portal"
  vpc_id = aws_vpc.labeling.id
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "internal" {
  name   = "labeling-internal"
  vpc_id = aws_vpc.labeling.id
}

resource "aws_vpc_security_group_ingress_rule" "internal_v6" {
  security_group_id = aws_security_group.internal.id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv6         = "::/0"
}

resource "aws_security_group_rule" "internal_office" {
  type              = "ingress"
  security_group_id = aws_security_group.internal.id
  protocol          = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_blocks       = ["192.0.2.0/24"]
}

resource "aws_sagemaker_workforce" "vpc" {
  workforce_name = "related-vpc"
  oidc_config {
    client_id              = "client"
    client_secret          = "not-a-real-secret"
    issuer                 = "https://idp.example.com"
    authorization_endpoint = "https://idp.example.com/authorize"
    token_endpoint         = "https://idp.example.com/token"
    user_info_endpoint     = "https://idp.example.com/userinfo"
    logout_endpoint        = "https://idp.example.com/logout"
    jwks_uri               = "https://idp.example.com/jwks"
  }
  source_ip_config {
    cidrs = ["192.0.2.0/24"]
  }
  workforce_vpc_config {
    vpc_id             = aws_vpc.labeling.id
    security_group_ids = [aws_security_group.portal.id, aws_security_group.internal.id]
    subnets            = [aws_subnet.a.id, aws_subnet.b.id]
  }
}

resource "aws_sagemaker_workforce" "elsewhere" {
  workforce_name = "related-elsewhere"
  cognito_config {
    client_id = "client-managed-elsewhere"
    user_pool = "eu-west-1_Elsewhere"
  }
  source_ip_config {
    cidrs = ["192.0.2.0/24"]
  }
}
