/* SPDX-License-Identifier: MPL-2.0 */
/* upgrade-certdb: a msgcert-era database to NSS's sql form, the old files
 * kept, and the two compared. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int upgrade_certdb(cli_ctx *c)
{
	const cli_globals *g = c->g;
	const char *dir = cli_db_dir(g);
	p11c_db *db = NULL;
	p11c_upgrade_report *rep = NULL;
	int rc = cli_db_new(g, dir, CLI_PW_ANY, &db);
	if (rc)
		return rc;
	int st = p11c_db_upgrade(db, dir, &rep);
	if (st) {
		rc = cli_fail(db, st);
	} else {
		static const struct {
			const char *name;
			p11c_upgrade_item item;
		} rows[] = {{"certificates", P11C_UPGRADE_CERTS},
		            {"trusted", P11C_UPGRADE_TRUSTED},
		            {"keys", P11C_UPGRADE_KEYS},
		            {"modules", P11C_UPGRADE_MODULES}};
		printf("%-14s %6s %6s\n", "", "before", "after");
		for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
			printf("%-14s %6zu %6zu\n", rows[i].name,
			       p11c_upgrade_report_before(rep, rows[i].item),
			       p11c_upgrade_report_after(rep, rows[i].item));
		printf("Upgraded '%s'; the legacy files are kept in %s\n", dir,
		       p11c_upgrade_report_backup_dir(rep));
		p11c_upgrade_password_file pw = p11c_upgrade_report_password_file(rep);
		if (pw == P11C_UPGRADE_PWFILE_WRITTEN)
			printf(
			    "The password file now holds the internal token's password under both "
			    "names (msgcert's and NSS's)\n");
		else if (pw == P11C_UPGRADE_PWFILE_FAILED)
			cli_error(
			    "warning: the password file lacks the \"NSS Certificate DB:\" line "
			    "that certutil -f needs, and it could not be added: %s",
			    p11c_last_error(db));
	}
	p11c_upgrade_report_free(rep);
	p11c_db_free(db);
	return rc;
}

const cli_cmd cli_cmd_upgrade_certdb = {
    .name = "upgrade-certdb",
    .run = upgrade_certdb,
    .description = "Convert a msgcert-era database (cert8.db)",
    .usage = "",
    .help = "Convert the msgcert-era database in the directory (cert8.db, key3.db,\n"
            "secmod.db) to cert9.db, key4.db and pkcs11.txt.  The old files are kept in\n"
            "DIR/legacy-YYYYMMDD-HHMMSS; certificates, keys, trust and modules are counted\n"
            "and compared before and after, and on any difference the directory is put\n"
            "back as it was.  The password is the old database's (password file or\n"
            "prompt), and stays the same.\n",
    .pos_usage = "upgrade-certdb takes no arguments (-d DIR)",
    .open = CLI_OPEN_NONE, /* the legacy files: p11c_db_upgrade opens them */
};
