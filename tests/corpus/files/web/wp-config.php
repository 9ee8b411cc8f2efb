<?php
define( 'DB_NAME', 'wordpress' );
define( 'DB_USER', 'wp' );
define( 'DB_PASSWORD', 'Wfe.jbyb4!0WVTFk' );
define( 'DB_HOST', 'localhost' );
define( 'AUTH_KEY',         'MfRLlWzpPrriEzYEDZDYuiz3dMN3C3Hw29JgwBRmW_kaLsbvzxihGxPSD0Ns3ge8' );
define( 'SECURE_AUTH_KEY',  'put your unique phrase here' );
define( 'LOGGED_IN_SALT',   getenv('LOGGED_IN_SALT') );
$table_prefix = 'wp_';
