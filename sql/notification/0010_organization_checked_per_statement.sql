-- A notice names its organisation, checked once per statement instead of by a foreign key. A
-- payroll run writes a notice per employee, 5,000 a statement: the key was a row trigger and a
-- locking lookup of the same organisation per notice, 40 ms of every 165 ms statement (psql),
-- half a second of a 100,000-employee execute. The same rules, kept by two triggers:
--  * an insert locks each organisation its rows name (FOR KEY SHARE, as the key did, once per
--    organisation) and fails, as the key did, when one is not there;
--  * an organisation that has notices is not deleted or re-keyed (the key's NO ACTION). Its
--    deletion waits for the lock of an insert in flight, then its check sees that insert's
--    notices (a statement of its own, with a snapshot taken after the wait). That holds under
--    READ COMMITTED only: under REPEATABLE READ the check would read the transaction's older
--    snapshot and miss notices committed since (the key read a newer one), so there the deletion
--    is refused (nothing in the server deletes organisations; an operator's psql does, in its
--    default READ COMMITTED);
--  * a notice never moves to another organisation.
-- The insert's lock needs UPDATE on organisations, which the runtime role has (grants.cpp); the
-- key's lookup ran as the table's owner.
ALTER TABLE notification.notifications DROP CONSTRAINT notifications_organization_id_fkey;

CREATE FUNCTION notification.check_notice_organizations() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  named uuid[] := (SELECT array_agg(DISTINCT organization_id) FROM new_notices);
  locked bigint;
BEGIN
  SELECT count(*) INTO locked FROM (SELECT FROM organization.organizations
                                    WHERE id = ANY(named) FOR KEY SHARE) o;
  IF locked <> cardinality(named) THEN
    RAISE EXCEPTION 'a notice names an organisation that does not exist: %',
      (SELECT n FROM unnest(named) n
       WHERE NOT EXISTS (SELECT FROM organization.organizations o WHERE o.id = n) LIMIT 1)
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER notifications_organization AFTER INSERT ON notification.notifications
  REFERENCING NEW TABLE AS new_notices
  FOR EACH STATEMENT EXECUTE FUNCTION notification.check_notice_organizations();

CREATE FUNCTION notification.keep_noticed_organization() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND OLD.id = NEW.id THEN
    RETURN NEW;
  END IF;
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'organisation % is deleted or re-keyed under READ COMMITTED only', OLD.id
      USING ERRCODE = 'invalid_transaction_state';
  END IF;
  IF EXISTS (SELECT FROM notification.notifications WHERE organization_id = OLD.id) THEN
    RAISE EXCEPTION 'organisation % has notices', OLD.id
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$;

CREATE TRIGGER organizations_noticed BEFORE DELETE OR UPDATE OF id ON organization.organizations
  FOR EACH ROW EXECUTE FUNCTION notification.keep_noticed_organization();

CREATE TRIGGER notifications_organization_kept
  BEFORE UPDATE OF organization_id ON notification.notifications
  FOR EACH ROW WHEN (OLD.organization_id <> NEW.organization_id)
  EXECUTE FUNCTION core.refuse_change('a notice belongs to its organisation');
