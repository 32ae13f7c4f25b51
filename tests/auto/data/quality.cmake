# CSV reading, schemas, data tests and column statistics (the Data issue, items 5–7).
orrery_test(tst_csv_value     SOURCES tst_csv_value.cpp     LINKS orrery_data LABEL data)
orrery_test(tst_csv_reader    SOURCES tst_csv_reader.cpp    LINKS orrery_data LABEL data)
orrery_test(tst_csv_writer    SOURCES tst_csv_writer.cpp    LINKS orrery_data LABEL data)
orrery_test(tst_column_stats  SOURCES tst_column_stats.cpp  LINKS orrery_data LABEL data)
orrery_test(tst_schema        SOURCES tst_schema.cpp        LINKS orrery_data LABEL data)
orrery_test(tst_schema_validator SOURCES tst_schema_validator.cpp LINKS orrery_data LABEL data)
