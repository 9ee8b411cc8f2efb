hash_password = argon2id
PASSWORD_HASHER = "bcrypt"
admin_password = "fH%eJ!lT%.0SnEJ.96"
