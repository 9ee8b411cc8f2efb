package com.acme.mail;

import java.util.Properties;

final class Mailer {
    static Properties props() {
        Properties p = new Properties();
        p.setProperty("mail.smtp.host", "smtp.acme.dev");
        p.setProperty("mail.smtp.user", "noreply");
        p.setProperty("mail.smtp.password", "hbjnNRWq3IKYlmo*");
        p.setProperty("mail.smtp.password.env", System.getenv("SMTP_PASSWORD"));
        return p;
    }
}
