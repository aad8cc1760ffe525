# Values marked sensitive: Terraform prints them in clear text in the JSON plan and marks them
# in after_sensitive. wfcheck evaluates them and never prints them.

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

variable "open_cidrs" {
  type      = list(string)
  sensitive = true
}

variable "issuer" {
  type      = string
  sensitive = true
}

variable "secret_name" {
  type      = string
  sensitive = true
}

# sensitive() around the CIDRs: 0.0.0.0/0 must still fail WF011
resource "aws_sagemaker_workforce" "sensitive_cidrs" {
  workforce_name = "sensitive-cidrs"
  cognito_config {
    client_id = "client-sensitive-cidrs"
    user_pool = "eu-west-1_SensCidr"
  }
  source_ip_config {
    cidrs = sensitive(["198.18.77.5/7", "0.0.0.0/0"])
  }
}

# a whole block from a sensitive variable, through a dynamic block
resource "aws_sagemaker_workforce" "sensitive_block" {
  workforce_name = "sensitive-block"
  cognito_config {
    client_id = "client-sensitive-block"
    user_pool = "eu-west-1_SensBlock"
  }
  dynamic "source_ip_config" {
    for_each = [var.open_cidrs]
    content {
      cidrs = source_ip_config.value
    }
  }
}

# a sensitive issuer whose endpoints live on another host (WF033)
resource "aws_sagemaker_workforce" "sensitive_issuer" {
  workforce_name = "sensitive-issuer"
  oidc_config {
    client_id              = "client-sensitive-issuer"
    client_secret          = "sensitive-fixture-client-secret-Qw7"
    issuer                 = var.issuer
    authorization_endpoint = "https://auth.elsewhere.example.org/authorize"
    token_endpoint         = "https://auth.elsewhere.example.org/token"
    user_info_endpoint     = "https://auth.elsewhere.example.org/userinfo"
    logout_endpoint        = "https://auth.elsewhere.example.org/logout"
    jwks_uri               = "https://auth.elsewhere.example.org/jwks"
    scope                  = "openid"
  }
  source_ip_config {
    cidrs = ["10.2.0.0/16"]
  }
}

# the name itself is sensitive: reports cannot show it
resource "aws_sagemaker_workforce" "sensitive_name" {
  workforce_name = var.secret_name
  cognito_config {
    client_id = "client-sensitive-name"
    user_pool = "us-west-2_SensName"
  }
  source_ip_config {
    cidrs = ["10.3.0.0/16"]
  }
}
