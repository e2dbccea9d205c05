-- The tables of prisma/schema.prisma, as `prisma migrate` creates them.
CREATE TABLE "User" (
    "id" SERIAL NOT NULL, "email" TEXT NOT NULL, "name" TEXT,
    "views" INTEGER NOT NULL DEFAULT 0, "score" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "version" INTEGER NOT NULL DEFAULT 1,
    CONSTRAINT "User_pkey" PRIMARY KEY ("id"));
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
CREATE TABLE "Profile" (
    "id" SERIAL NOT NULL, "bio" TEXT NOT NULL, "userId" INTEGER NOT NULL,
    CONSTRAINT "Profile_pkey" PRIMARY KEY ("id"));
CREATE UNIQUE INDEX "Profile_userId_key" ON "Profile"("userId");
CREATE TABLE "Post" (
    "id" SERIAL NOT NULL, "title" TEXT NOT NULL, "published" BOOLEAN NOT NULL DEFAULT false,
    "authorId" INTEGER, "labels" TEXT[], "meta" JSONB, "at" TIMESTAMP(3),
    CONSTRAINT "Post_pkey" PRIMARY KEY ("id"));
CREATE TABLE "Tag" (
    "id" SERIAL NOT NULL, "name" TEXT NOT NULL,
    CONSTRAINT "Tag_pkey" PRIMARY KEY ("id"));
CREATE UNIQUE INDEX "Tag_name_key" ON "Tag"("name");
CREATE TABLE "Item" (
    "id" BIGSERIAL NOT NULL, "shop" INTEGER NOT NULL, "sku" TEXT NOT NULL,
    "price" DECIMAL(10,2) NOT NULL, "qty" BIGINT NOT NULL DEFAULT 0, "due" TIMESTAMPTZ(3),
    CONSTRAINT "Item_pkey" PRIMARY KEY ("id"));
CREATE UNIQUE INDEX "Item_shop_sku_key" ON "Item"("shop", "sku");
CREATE TABLE "Comment" (
    "id" SERIAL NOT NULL, "body" TEXT NOT NULL, "postId" INTEGER NOT NULL,
    CONSTRAINT "Comment_pkey" PRIMARY KEY ("id"));
CREATE TABLE "Passport" (
    "id" SERIAL NOT NULL, "number" TEXT NOT NULL, "userId" INTEGER,
    CONSTRAINT "Passport_pkey" PRIMARY KEY ("id"));
CREATE UNIQUE INDEX "Passport_userId_key" ON "Passport"("userId");
CREATE TABLE "_PostToTag" (
    "A" INTEGER NOT NULL, "B" INTEGER NOT NULL,
    CONSTRAINT "_PostToTag_AB_pkey" PRIMARY KEY ("A","B"));
CREATE INDEX "_PostToTag_B_index" ON "_PostToTag"("B");
ALTER TABLE "Profile" ADD CONSTRAINT "Profile_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "Post" ADD CONSTRAINT "Post_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "Comment" ADD CONSTRAINT "Comment_postId_fkey" FOREIGN KEY ("postId") REFERENCES "Post"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Passport" ADD CONSTRAINT "Passport_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "_PostToTag" ADD CONSTRAINT "_PostToTag_A_fkey" FOREIGN KEY ("A") REFERENCES "Post"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "_PostToTag" ADD CONSTRAINT "_PostToTag_B_fkey" FOREIGN KEY ("B") REFERENCES "Tag"("id") ON DELETE CASCADE ON UPDATE CASCADE;
