# source_ip_config is Optional+Computed: a create plan marks it unknown whether or not the
# configuration writes it. wfcheck tells the cases apart with the plan's configuration and,
# for dynamic blocks, which the plan leaves out, with these .tf files.

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

resource "aws_eip" "egress" {
  domain = "vpc"
}

# not written: AWS creates the workforce with no IP restriction
resource "aws_sagemaker_workforce" "unset" {
  workforce_name = "unset"
  cognito_config {
    client_id = "client-unset"
    user_pool = "eu-west-1_Unset1"
  }
}

# a dynamic block with no item: the plan cannot tell it from an unknown one
resource "aws_sagemaker_workforce" "dynamic_empty" {
  workforce_name = "dynamic-empty"
  cognito_config {
    client_id = "client-dynamic-empty"
    user_pool = "eu-west-1_DynEmpty"
  }
  dynamic "source_ip_config" {
    for_each = []
    content {
      cidrs = source_ip_config.value
    }
  }
}

# a dynamic block whose items are known only after apply
resource "aws_sagemaker_workforce" "dynamic_unknown" {
  workforce_name = "dynamic-unknown"
  cognito_config {
    client_id = "client-dynamic-unknown"
    user_pool = "eu-west-1_DynUnknown"
  }
  dynamic "source_ip_config" {
    for_each = aws_eip.egress.public_ip == "" ? [] : [["${aws_eip.egress.public_ip}/32"]]
    content {
      cidrs = source_ip_config.value
    }
  }
}

# written, with CIDRs known only after apply
resource "aws_sagemaker_workforce" "written_unknown" {
  workforce_name = "written-unknown"
  cognito_config {
    client_id = "client-written-unknown"
    user_pool = "eu-west-1_WrUnknown"
  }
  source_ip_config {
    cidrs = ["${aws_eip.egress.public_ip}/32"]
  }
}

# written with known CIDRs
resource "aws_sagemaker_workforce" "written" {
  workforce_name = "written"
  cognito_config {
    client_id = "client-written"
    user_pool = "eu-west-1_Written1"
  }
  source_ip_config {
    cidrs = ["10.1.0.0/16"]
  }
}

# the same through a module called with for_each
module "teams" {
  source   = "./modules/open"
  for_each = toset(["red", "blue"])
  name     = "team-${each.key}"
}
