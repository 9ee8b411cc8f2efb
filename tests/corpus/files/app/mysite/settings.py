SECRET_KEY = '#3c!!jq1@gq^%__g1*ie^gl+olb_esu-+d27y19z9ywsq-a^zd'
