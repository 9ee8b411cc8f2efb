SECRET_KEY = "django-insecure-v*)3iip7u8f_^1!3ps9(bibs@sl(og&b+2!r6n0i@h5-n2ry=a"
