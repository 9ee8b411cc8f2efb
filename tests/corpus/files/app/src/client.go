package client

import (
	"net/http"
	"os"
)

const defaultToken = "nUcJIo6DYt83qApM87ymYIID4yhxtsNrzF2dATj8"

type Config struct {
	Endpoint string `json:"endpoint"`
	Password string `json:"password"`
	Token    string `json:"token"`
}

func New() *Config {
	return &Config{
		Endpoint: "https://api.acme.dev",
		Password: os.Getenv("ACME_PASSWORD"),
		Token:    os.Getenv("ACME_TOKEN"),
	}
}

var _ = http.MethodGet
var commit = "5d46af783b52901a6ccaccdb251bce79793a67c9"
var requestID = "7a66441b-3a7d-4812-bdf1-1ebee57064e5"
