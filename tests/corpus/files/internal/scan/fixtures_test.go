var dummies = map[string]string{
	"google": "AIzaSyabcdefghijklmnopqrstuvwxyz1234567",
	"aws":    "AKIAIO5FODNN7DXAMPLE",
	"key":    "-----BEGIN PRIVATE KEY-----\n135f/bRUBHrbHqLY/xS3I7Oth+8rgG+0tBwfMcbk05Sgxq6QUzSYIQAop+WvsTwk2sR+C38g0Mnb\nu+QDkg0spw==\n-----END PRIVATE KEY-----",
}
