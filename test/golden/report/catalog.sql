-- Report golden fixture: a small library-lending schema that touches every object kind the
-- catalog models, so that the JSON, SQL and text renderings of it can be reviewed in one
-- place. Expected outputs: catalog.json, catalog.sql.out, catalog.txt (see test/README.md).

CREATE ROLE lib_owner NOLOGIN;
CREATE ROLE lib_reader LOGIN CONNECTION LIMIT 5 IN ROLE lib_owner;
COMMENT ON ROLE lib_reader IS 'Read-only reporting login';

CREATE SCHEMA lib;
COMMENT ON SCHEMA lib IS 'Books, members and loans';
CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TYPE lib.loan_state AS ENUM ('open', 'returned', 'lost');
CREATE TYPE lib.shelf_mark AS (room text COLLATE "C", shelf smallint);
CREATE TYPE lib.floatrange AS RANGE (subtype = float8);
CREATE DOMAIN lib.isbn AS text NOT NULL CHECK (VALUE ~ '^[0-9]{13}$');
CREATE DOMAIN lib.fee AS numeric(8,2) DEFAULT 0 CONSTRAINT fee_not_negative CHECK (VALUE >= 0);
COMMENT ON DOMAIN lib.fee IS 'Money owed, in euros';

CREATE SEQUENCE lib.member_no_seq AS integer START 1000 INCREMENT 10 CACHE 5;

CREATE TABLE lib.members (
    id          integer PRIMARY KEY DEFAULT nextval('lib.member_no_seq'),
    email       text NOT NULL UNIQUE,
    "Full Name" text COLLATE "C" NOT NULL,
    joined_on   date NOT NULL DEFAULT CURRENT_DATE,
    fees_due    lib.fee,
    CONSTRAINT members_email_check CHECK (position('@' in email) > 1)
);
ALTER SEQUENCE lib.member_no_seq OWNED BY lib.members.id;
COMMENT ON TABLE lib.members IS 'People who may borrow books';
COMMENT ON COLUMN lib.members."Full Name" IS 'As printed on the card';

CREATE TABLE lib.books (
    id          bigint GENERATED ALWAYS AS IDENTITY (START WITH 100) PRIMARY KEY,
    isbn        lib.isbn UNIQUE,
    title       text NOT NULL,
    shelf       lib.shelf_mark,
    pages       integer CHECK (pages > 0),
    weight_g    integer,
    weight_kg   numeric GENERATED ALWAYS AS (weight_g / 1000.0) STORED
);

CREATE TABLE lib.loans (
    id          bigserial,
    book_id     bigint NOT NULL REFERENCES lib.books ON DELETE CASCADE,
    member_id   integer NOT NULL,
    state       lib.loan_state NOT NULL DEFAULT 'open',
    started_on  date NOT NULL,
    due_on      date,
    PRIMARY KEY (id, started_on),
    CONSTRAINT loans_member_fkey FOREIGN KEY (member_id) REFERENCES lib.members (id)
        ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED
) PARTITION BY RANGE (started_on);
CREATE TABLE lib.loans_2024 PARTITION OF lib.loans FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE lib.loans_old PARTITION OF lib.loans DEFAULT;
ALTER TABLE lib.loans ADD CONSTRAINT loans_due_check CHECK (due_on >= started_on) NOT VALID;

CREATE TABLE lib.reservations (
    book_id     bigint NOT NULL REFERENCES lib.books,
    member_id   integer NOT NULL REFERENCES lib.members,
    period      daterange NOT NULL,
    CONSTRAINT reservations_no_overlap EXCLUDE USING gist (book_id WITH =, period WITH &&)
);

CREATE INDEX books_title_idx ON lib.books (lower(title) text_pattern_ops, pages DESC NULLS LAST)
    INCLUDE (isbn) WHERE pages IS NOT NULL;
CREATE INDEX loans_open_idx ON lib.loans (member_id) WHERE state = 'open';
COMMENT ON INDEX lib.books_title_idx IS 'Title search';

CREATE FUNCTION lib.touch_loan() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    NEW.state := coalesce(NEW.state, 'open');
    RETURN NEW;
END
$fn$;
CREATE FUNCTION lib.open_loans(p_member integer, p_limit integer DEFAULT 10)
    RETURNS SETOF lib.loans LANGUAGE sql STABLE STRICT
    SET search_path = lib, pg_catalog
    AS 'SELECT * FROM lib.loans WHERE member_id = p_member AND state = ''open'' LIMIT p_limit';
CREATE FUNCTION lib.fee_for(days integer) RETURNS numeric LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN greatest(days - 14, 0) * 0.5;
CREATE PROCEDURE lib.close_loan(p_id bigint) LANGUAGE sql
    BEGIN ATOMIC
        UPDATE lib.loans SET state = 'returned' WHERE id = p_id;
    END;
COMMENT ON FUNCTION lib.fee_for(integer) IS 'Late fee after two weeks';

CREATE TRIGGER loans_touch BEFORE INSERT OR UPDATE OF state ON lib.loans
    FOR EACH ROW WHEN (NEW.state IS NULL) EXECUTE FUNCTION lib.touch_loan();

CREATE VIEW lib.active_members AS
    SELECT m.id, m.email FROM lib.members m WHERE m.joined_on > DATE '2020-01-01';
CREATE VIEW lib.active_member_loans WITH (security_barrier = true) AS
    SELECT a.email, count(l.id) AS loans
    FROM lib.active_members a JOIN lib.loans l ON l.member_id = a.id
    GROUP BY a.email;
CREATE MATERIALIZED VIEW lib.book_counts AS
    SELECT b.shelf, count(*) AS n FROM lib.books b GROUP BY b.shelf WITH NO DATA;
COMMENT ON VIEW lib.active_members IS 'Members who joined after 2020';

ALTER TABLE lib.members ENABLE ROW LEVEL SECURITY;
CREATE POLICY members_self ON lib.members FOR SELECT TO lib_reader
    USING (email = current_user);
CREATE POLICY members_no_delete ON lib.members AS RESTRICTIVE FOR DELETE USING (false);

ALTER TABLE lib.books OWNER TO lib_owner;
GRANT USAGE ON SCHEMA lib TO lib_reader;
GRANT SELECT, INSERT ON lib.books TO lib_reader WITH GRANT OPTION;
GRANT SELECT (email) ON lib.members TO lib_reader;
REVOKE EXECUTE ON FUNCTION lib.fee_for(integer) FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA lib GRANT SELECT ON TABLES TO lib_reader;

CREATE STATISTICS lib.books_pages_weight (dependencies) ON pages, weight_g FROM lib.books;
