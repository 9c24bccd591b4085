// Package mysql is the sqldict dialect for MySQL 8 and MariaDB 10.11+.
package mysql
