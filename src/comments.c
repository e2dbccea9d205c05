/*-------------------------------------------------------------------------
 *
 * comments.c
 *		  Smart tags: declarations forge reads from the comments on catalog
 *		  objects, which pg_dump keeps with the objects they describe.
 *
 * A comment holds any text; each of its lines that starts with "@" (after
 * leading blanks) is a tag: "@name" alone, or "@name value" where value is
 * the rest of the line, trimmed.  Other lines are ordinary prose.  This is
 * PostGraphile's smart-comment convention, which PostgreSQL users know.
 *
 * Copyright (c) 2026, the forge authors
 *
 * src/comments.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "commands/comment.h"

#include "forge.h"

/* is_blank: a space or tab */
static inline bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/*
 * forge_smart_tag
 *		The value of the tag "@tag" in the comment on the object (classid,
 *		objid, objsubid), palloc'd: "" for a bare tag, NULL when the object
 *		has no comment or the comment no such tag.  The first line with the
 *		tag wins.
 */
char *
forge_smart_tag(Oid classid, Oid objid, int32 objsubid, const char *tag)
{
	char	   *comment = GetComment(objid, classid, objsubid);
	size_t		taglen = strlen(tag);
	char	   *line;

	if (comment == NULL)
		return NULL;
	line = comment;
	while (*line != '\0')
	{
		char	   *end = strchr(line, '\n');
		char	   *p = line;

		if (end == NULL)
			end = line + strlen(line);
		while (p < end && is_blank(*p))
			p++;
		if (p < end && *p == '@' &&
			(size_t) (end - p - 1) >= taglen &&
			strncmp(p + 1, tag, taglen) == 0 &&
			(p + 1 + taglen == end || is_blank(p[1 + taglen])))
		{
			char	   *v = p + 1 + taglen;
			char	   *e = end;

			while (v < e && is_blank(*v))
				v++;
			while (e > v && is_blank(e[-1]))
				e--;
			return pnstrdup(v, e - v);
		}
		line = (*end == '\0') ? end : end + 1;
	}
	return NULL;
}
