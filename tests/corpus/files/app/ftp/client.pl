sub login {
    my ($ftp, $user, $pass) = @_;
    $user = "anonymous" unless defined $user;
    $pass = '-anonymous@' if $user eq 'anonymous';
}
