-- One PostgreSQL server, two databases: Saleor's and this service's.
CREATE DATABASE saleor;
CREATE DATABASE wenchuang;
