variable "name" {
  type = string
}

variable "cidrs" {
  type    = list(string)
  default = ["10.99.0.0/16"]
}

resource "aws_sagemaker_workforce" "this" {
  workforce_name = var.name
  cognito_config {
    client_id = "client-static"
    user_pool = "eu-west-1_Static01"
  }
  source_ip_config {
    cidrs = var.cidrs
  }
}
