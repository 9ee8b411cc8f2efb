class Session:
    """A database session.

    Attributes:
        password: Optional. The password of the database user.
    """

    # CHECK: PASS: session-tests :: test_login.py
    def login(self, user, pwd=None):
        pwd = pwd or self.default_pwd
        secret_token = HmacTokenProvider
        return connect(user=user, password=pwd)

SERVICE_API_KEY = "FHPUyzahidL4nRI2dbHNyGy7Q2Fsb7HxQat2eTio"
