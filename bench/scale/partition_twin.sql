-- Partitioned twin of cases_case and cases_caseevent (by month), in schema scale_twin.
\timing on
DROP SCHEMA IF EXISTS scale_twin CASCADE;
CREATE SCHEMA scale_twin;
CREATE TABLE scale_twin.cases (LIKE public.cases_case INCLUDING DEFAULTS) PARTITION BY RANGE (submitted_at);
CREATE TABLE scale_twin.events (LIKE public.cases_caseevent INCLUDING DEFAULTS) PARTITION BY RANGE (at);
DO $$
DECLARE m date;
BEGIN
  FOR m IN SELECT generate_series(date_trunc('month', (SELECT min(submitted_at) FROM public.cases_case) AT TIME ZONE 'Asia/Shanghai')::date,
                                  date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date + 31, interval '1 month')::date LOOP
    EXECUTE format('CREATE TABLE scale_twin.cases_%s PARTITION OF scale_twin.cases FOR VALUES FROM (%L) TO (%L)',
                   to_char(m, 'YYYYMM'), (m::timestamp AT TIME ZONE 'Asia/Shanghai'), ((m + interval '1 month')::timestamp AT TIME ZONE 'Asia/Shanghai'));
    EXECUTE format('CREATE TABLE scale_twin.events_%s PARTITION OF scale_twin.events FOR VALUES FROM (%L) TO (%L)',
                   to_char(m, 'YYYYMM'), (m::timestamp AT TIME ZONE 'Asia/Shanghai'), ((m + interval '1 month')::timestamp AT TIME ZONE 'Asia/Shanghai'));
  END LOOP;
END $$;
INSERT INTO scale_twin.cases SELECT * FROM public.cases_case;
INSERT INTO scale_twin.events SELECT * FROM public.cases_caseevent;
-- the indexes the measured queries use, as on the unpartitioned tables (unique keys must hold the partition key)
ALTER TABLE scale_twin.cases ADD PRIMARY KEY (id, submitted_at);
CREATE UNIQUE INDEX ON scale_twin.cases (number, submitted_at);
CREATE INDEX ON scale_twin.cases (state, due_date);
CREATE INDEX ON scale_twin.cases (region_code, submitted_at);
CREATE INDEX ON scale_twin.cases (concluded_on);
ALTER TABLE scale_twin.events ADD PRIMARY KEY (id, at);
CREATE INDEX ON scale_twin.events (case_id);
CREATE INDEX ON scale_twin.events (case_id, at) WHERE action = 'accept';
CREATE INDEX ON scale_twin.events (case_id) WHERE action IN ('review', 'decide');
VACUUM ANALYZE scale_twin.cases;
VACUUM ANALYZE scale_twin.events;
SELECT count(*) AS partitions FROM pg_inherits WHERE inhparent = 'scale_twin.cases'::regclass;
