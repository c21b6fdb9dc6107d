-- Schema DDL written by dbarch from its catalog model.
SET check_function_bodies = false;
SET search_path = public;

-- Schemas
CREATE SCHEMA lib;

-- Roles
CREATE ROLE lib_owner;
CREATE ROLE lib_reader WITH LOGIN CONNECTION LIMIT 5;
GRANT lib_owner TO lib_reader;

-- Extensions
CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;

-- Types
CREATE TYPE lib.loan_state AS ENUM ('open', 'returned', 'lost');
CREATE TYPE lib.shelf_mark AS (
    room text COLLATE "C",
    shelf smallint
);
CREATE TYPE lib.floatrange AS RANGE (SUBTYPE = double precision);
CREATE DOMAIN lib.fee AS numeric(8,2) DEFAULT 0
    CONSTRAINT fee_not_negative CHECK (value >= 0);
CREATE DOMAIN lib.isbn AS text NOT NULL
    CONSTRAINT isbn_check CHECK (value ~ '^[0-9]{13}$');

-- Functions
CREATE FUNCTION lib.fee_for(days integer) RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN GREATEST(days - 14, 0) * 0.5;
CREATE FUNCTION lib.touch_loan() RETURNS trigger LANGUAGE plpgsql
AS $$
BEGIN
    NEW.state := coalesce(NEW.state, 'open');
    RETURN NEW;
END
$$;

-- Sequences
CREATE SEQUENCE lib.loans_id_seq;
CREATE SEQUENCE lib.member_no_seq AS integer INCREMENT BY 10 START WITH 1000 CACHE 5;

-- Tables
CREATE TABLE lib.books (
    id bigint GENERATED ALWAYS AS IDENTITY (START WITH 100) NOT NULL,
    isbn lib.isbn,
    title text NOT NULL,
    shelf lib.shelf_mark,
    pages integer,
    weight_g integer,
    weight_kg numeric GENERATED ALWAYS AS (weight_g / 1000.0) STORED,
    CONSTRAINT books_isbn_key UNIQUE (isbn),
    CONSTRAINT books_pages_check CHECK (pages > 0),
    CONSTRAINT books_pkey PRIMARY KEY (id)
);
CREATE TABLE lib.loans (
    id bigint DEFAULT nextval('lib.loans_id_seq') NOT NULL,
    book_id bigint NOT NULL,
    member_id integer NOT NULL,
    state lib.loan_state DEFAULT 'open' NOT NULL,
    started_on date NOT NULL,
    due_on date,
    CONSTRAINT loans_pkey PRIMARY KEY (id, started_on)
) PARTITION BY RANGE (started_on);

-- Procedures
CREATE PROCEDURE lib.close_loan(p_id bigint) LANGUAGE sql
BEGIN ATOMIC UPDATE lib.loans SET state = 'returned' WHERE id = p_id; END;

-- Functions
CREATE FUNCTION lib.open_loans(p_member integer, p_limit integer DEFAULT 10) RETURNS SETOF lib.loans LANGUAGE sql STABLE STRICT SET search_path TO 'lib', 'pg_catalog'
AS $$SELECT * FROM lib.loans WHERE member_id = p_member AND state = 'open' LIMIT p_limit$$;

-- Tables
CREATE TABLE lib.members (
    id integer DEFAULT nextval('lib.member_no_seq') NOT NULL,
    email text NOT NULL,
    "Full Name" text COLLATE "C" NOT NULL,
    joined_on date DEFAULT current_date NOT NULL,
    fees_due lib.fee,
    CONSTRAINT members_email_check CHECK ("position"(email, '@') > 1),
    CONSTRAINT members_email_key UNIQUE (email),
    CONSTRAINT members_pkey PRIMARY KEY (id)
);
CREATE TABLE lib.reservations (
    book_id bigint NOT NULL,
    member_id integer NOT NULL,
    period daterange NOT NULL,
    CONSTRAINT reservations_no_overlap EXCLUDE USING gist (book_id WITH =, period WITH &&)
);

-- Partitions
CREATE TABLE lib.loans_2024 PARTITION OF lib.loans FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE lib.loans_old PARTITION OF lib.loans DEFAULT;

-- Views
CREATE VIEW lib.active_members (id, email) AS
SELECT m.id, m.email FROM lib.members m WHERE m.joined_on > '2020-01-01'::date;
SET search_path = lib, public;
CREATE VIEW lib.active_member_loans (email, loans) WITH (security_barrier='true') AS
SELECT a.email, count(l.id) AS loans FROM lib.active_members a JOIN lib.loans l ON l.member_id = a.id GROUP BY a.email;

-- Materialized views
SET search_path = public;
CREATE MATERIALIZED VIEW lib.book_counts (shelf, n) AS
SELECT b.shelf, count(*) AS n FROM lib.books b GROUP BY b.shelf
WITH NO DATA;

-- Indexes
CREATE INDEX books_title_idx ON lib.books ((lower(title)) text_pattern_ops, pages DESC NULLS LAST) INCLUDE (isbn) WHERE (pages IS NOT NULL);
CREATE INDEX loans_open_idx ON lib.loans (member_id) WHERE (state = 'open');

-- Foreign keys and NOT VALID constraints
ALTER TABLE lib.loans ADD CONSTRAINT loans_book_id_fkey FOREIGN KEY (book_id) REFERENCES lib.books(id) ON DELETE CASCADE;
ALTER TABLE lib.loans ADD CONSTRAINT loans_due_check CHECK (due_on >= started_on) NOT VALID;
ALTER TABLE lib.loans ADD CONSTRAINT loans_member_fkey FOREIGN KEY (member_id) REFERENCES lib.members(id) ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE lib.reservations ADD CONSTRAINT reservations_book_id_fkey FOREIGN KEY (book_id) REFERENCES lib.books(id);
ALTER TABLE lib.reservations ADD CONSTRAINT reservations_member_id_fkey FOREIGN KEY (member_id) REFERENCES lib.members(id);

-- Sequence ownership
ALTER SEQUENCE lib.loans_id_seq OWNED BY lib.loans.id;
ALTER SEQUENCE lib.member_no_seq OWNED BY lib.members.id;

-- Triggers
CREATE TRIGGER loans_touch BEFORE INSERT OR UPDATE OF state ON lib.loans FOR EACH ROW WHEN (new.state IS NULL) EXECUTE FUNCTION lib.touch_loan();

-- Row level security
ALTER TABLE lib.members ENABLE ROW LEVEL SECURITY;
CREATE POLICY members_no_delete ON lib.members AS RESTRICTIVE FOR DELETE USING (false);
CREATE POLICY members_self ON lib.members FOR SELECT TO lib_reader USING (email = current_user);

-- Owners
ALTER TABLE lib.books OWNER TO lib_owner;

-- Privileges
GRANT USAGE ON SCHEMA lib TO lib_reader;
GRANT INSERT, SELECT ON TABLE lib.books TO lib_reader WITH GRANT OPTION;
GRANT SELECT (email) ON TABLE lib.members TO lib_reader;
REVOKE EXECUTE ON FUNCTION lib.fee_for(integer) FROM PUBLIC;

-- Default privileges
ALTER DEFAULT PRIVILEGES IN SCHEMA lib GRANT SELECT ON TABLES TO lib_reader;

-- Comments
COMMENT ON SCHEMA lib IS 'Books, members and loans';
COMMENT ON ROLE lib_reader IS 'Read-only reporting login';
COMMENT ON DOMAIN lib.fee IS 'Money owed, in euros';
COMMENT ON FUNCTION lib.fee_for(integer) IS 'Late fee after two weeks';
COMMENT ON TABLE lib.members IS 'People who may borrow books';
COMMENT ON COLUMN lib.members."Full Name" IS 'As printed on the card';
COMMENT ON VIEW lib.active_members IS 'Members who joined after 2020';
COMMENT ON INDEX lib.books_title_idx IS 'Title search';

-- Statements dbarch does not model
CREATE STATISTICS lib.books_pages_weight (dependencies) ON pages, weight_g FROM lib.books;
