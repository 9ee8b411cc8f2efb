Rails.application.configure do
  config.secret_key_base = ENV.fetch("SECRET_KEY_BASE")
  config.x.slack_webhook = "https://hooks.slack.com/services/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"
  config.x.sentry_token = "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"
end
