ALTER TABLE {{.Table}} DROP CONSTRAINT {{.Table}}_pkey,
    ADD CONSTRAINT {{.Table}}_pkey PRIMARY KEY (sequence_number);
