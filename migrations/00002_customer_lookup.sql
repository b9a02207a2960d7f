-- Customer search for linking an unidentified caller: by the start of a name
-- (pinyin or English, case-insensitive) or of a Chinese name. text_pattern_ops
-- lets LIKE 'prefix%' use the index whatever the database's collation.

-- +goose Up
CREATE INDEX customers_name_prefix ON customers (lower(name) text_pattern_ops);
CREATE INDEX customers_name_zh_prefix ON customers (name_zh text_pattern_ops) WHERE name_zh <> '';

-- +goose Down
DROP INDEX customers_name_zh_prefix;
DROP INDEX customers_name_prefix;
