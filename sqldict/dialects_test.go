package sqldict_test

import _ "github.com/sqldict/sqldict/dialects/sqlite" // sqlite: URLs in this package's tests
