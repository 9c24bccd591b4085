DROP PROCEDURE IF EXISTS {{.Table}}_commit;
