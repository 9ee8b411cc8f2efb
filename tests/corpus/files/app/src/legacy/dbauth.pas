unit DBAuth;

type
  TDBConnection = class
  private
    FPassword: UTF8String;
    FApiToken: TSecretString;
  public
    property Password : UTF8String read FPassword write FPassword;
  end;

const
  CURLOPT_PASSWORD = CURLOPTTYPE_STRINGPOINT+174;
  DefaultPassword = 'An194xpScrO.MhbEL#wZ';

implementation
end.
