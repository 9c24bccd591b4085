// Package postgres is the sqldict dialect for PostgreSQL.
package postgres
