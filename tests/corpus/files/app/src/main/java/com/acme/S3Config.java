package com.acme;

import com.amazonaws.auth.BasicAWSCredentials;

public final class S3Config {
    private static final String BUCKET = "acme-reports";
    // sha of the last schema migration
    private static final String SCHEMA = "65e551305fd2d2490ca4c616e8c4bf144d333495";

    static BasicAWSCredentials credentials() {
        return new BasicAWSCredentials("AKIA3BZAI3OOTXYUT5NI", "43YnZorfTia8COI4GhiiePwQpx/0smx9/aKyCj4A");
    }

    static BasicAWSCredentials docs() {
        return new BasicAWSCredentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    }
}
