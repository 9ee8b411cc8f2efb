-- roles for the reporting stack
CREATE USER 'report'@'%%' IDENTIFIED BY 'r9o-h6O8cDAs.nF2';
ALTER ROLE etl WITH PASSWORD 'rIvnxc^TijG2qpI6pb';
CREATE USER app WITH PASSWORD :'app_password';
ALTER USER legacy IDENTIFIED BY 'changeme';
GRANT SELECT ON reports.* TO 'report'@'%%';
