"""The emission-factor database (因子数据库) and its market: records, versions, review, use."""
