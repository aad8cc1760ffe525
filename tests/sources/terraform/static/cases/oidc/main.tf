# An OIDC workforce whose endpoints live on another host.
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

locals {
  idp = "https://idp.example.com"
}

resource "aws_sagemaker_workforce" "oidc" {
  workforce_name = "oidc"
  oidc_config {
    client_id              = "client-oidc"
    client_secret          = "static-fixture-client-secret-Zx9"
    issuer                 = local.idp
    authorization_endpoint = "${local.idp}/authorize"
    token_endpoint         = "https://tokens.elsewhere.example.org/token"
    user_info_endpoint     = "${local.idp}/userinfo"
    logout_endpoint        = "${local.idp}/logout"
    jwks_uri               = "${local.idp}/jwks"
    scope                  = "openid email"
  }
  source_ip_config {
    cidrs = ["10.80.0.0/16"]
  }
}
