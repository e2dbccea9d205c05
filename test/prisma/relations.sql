-- forge relation names for test/prisma/schema.prisma (tools/prisma-relations)
COMMENT ON CONSTRAINT "_PostCategories_A_fkey" ON "_PostCategories" IS E'@manyToManyFieldName categories';
COMMENT ON CONSTRAINT "_PostCategories_B_fkey" ON "_PostCategories" IS E'@manyToManyFieldName posts';
COMMENT ON CONSTRAINT "_PostToTag_A_fkey" ON "_PostToTag" IS E'@manyToManyFieldName posts';
COMMENT ON CONSTRAINT "_PostToTag_B_fkey" ON "_PostToTag" IS E'@manyToManyFieldName tags';
COMMENT ON CONSTRAINT "post_editor" ON "Post" IS E'@fieldName editor\n@foreignFieldName edited';
COMMENT ON CONSTRAINT "Post_authorId_fkey" ON "Post" IS E'@fieldName author\n@foreignFieldName posts';
COMMENT ON CONSTRAINT "profiles_user_id_fkey" ON "profiles" IS E'@fieldName user\n@foreignFieldName profile';
COMMENT ON CONSTRAINT "_Follows_A_fkey" ON "_Follows" IS E'@manyToManyFieldName following';
COMMENT ON CONSTRAINT "_Follows_B_fkey" ON "_Follows" IS E'@manyToManyFieldName followedBy';
COMMENT ON CONSTRAINT "User_invitedById_fkey" ON "User" IS E'@fieldName invitedBy\n@foreignFieldName invited';
