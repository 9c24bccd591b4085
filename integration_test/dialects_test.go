package integration_test

import _ "github.com/sqldict/sqldict/dialects/all" // every engine's URL
