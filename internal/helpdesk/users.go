package helpdesk

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"unicode/utf8"

	"wadesk/internal/auth"
)

// NewUser is the input of CreateUser.
type NewUser struct {
	Email, Name string
	Role        Role
	Password    string
	GroupIDs    []int64
}

// maxPasswordLength bounds the work of one argon2 hash.
const maxPasswordLength = 1024

// NormalizeEmail is how emails are stored and looked up: trimmed, lowercase.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

func checkPassword(field, password string, fields map[string]string) {
	switch {
	case len(password) < auth.MinPasswordLength:
		fields[field] = fmt.Sprintf("must be at least %d characters", auth.MinPasswordLength)
	case len(password) > maxPasswordLength:
		fields[field] = fmt.Sprintf("must be at most %d characters", maxPasswordLength)
	}
}

// checkText validates a trimmed text of 1..max characters.
func checkText(field, value string, max int, fields map[string]string) {
	switch n := utf8.RuneCountInString(value); {
	case n == 0:
		fields[field] = "required"
	case n > max:
		fields[field] = fmt.Sprintf("must be at most %d characters", max)
	}
}

// CreateUser validates in and creates an active user. The email is stored
// trimmed and lowercase; a taken email is conflict.
func (s *Service) CreateUser(ctx context.Context, in NewUser) (*User, error) {
	u := User{Email: NormalizeEmail(in.Email), Name: strings.TrimSpace(in.Name), Role: in.Role, Active: true}
	fields := map[string]string{}
	if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email || len(u.Email) > 254 {
		fields["email"] = "must be a valid email address"
	}
	checkText("name", u.Name, 200, fields)
	if u.Role != RoleAdmin && u.Role != RoleAgent {
		fields["role"] = "must be admin or agent"
	}
	checkPassword("password", in.Password, fields)
	if len(fields) > 0 {
		return nil, Invalid("invalid user", fields)
	}
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return nil, fmt.Errorf("helpdesk: create user: %w", err)
	}
	u.PasswordHash = hash
	u.CreatedAt = s.Now()
	u.UpdatedAt = u.CreatedAt
	err = s.st.WithTx(ctx, func(tx Tx) error {
		for _, g := range in.GroupIDs {
			if _, err := tx.GroupByID(ctx, g); err != nil {
				if isNotFound(err) {
					return Invalid("unknown group", map[string]string{"group_ids": fmt.Sprintf("group %d does not exist", g)})
				}
				return err
			}
		}
		if err := tx.CreateUser(ctx, &u); err != nil {
			if ErrorCode(err) == ECodeConflict {
				return &Error{Code: ECodeConflict, Message: "a user with this email already exists", Fields: map[string]string{"email": "already taken"}}
			}
			return err
		}
		return tx.SetUserGroups(ctx, u.ID, in.GroupIDs)
	})
	if err != nil {
		return nil, err
	}
	return s.st.UserByID(ctx, u.ID)
}

// User returns a user with its group ids.
func (s *Service) User(ctx context.Context, id int64) (*User, error) {
	return s.st.UserByID(ctx, id)
}

// UserByEmail returns a user by email (any case, surrounding spaces ignored).
func (s *Service) UserByEmail(ctx context.Context, email string) (*User, error) {
	return s.st.UserByEmail(ctx, NormalizeEmail(email))
}

// ListUsers returns a page of users by id.
func (s *Service) ListUsers(ctx context.Context, p Page) ([]User, string, error) {
	return pageByID(p, func(after int64, limit int) ([]User, error) { return s.st.ListUsers(ctx, after, limit) },
		func(x *User) int64 { return x.ID })
}

// CountUsers counts all users; serve creates the first admin when it is 0.
func (s *Service) CountUsers(ctx context.Context) (int, error) { return s.st.CountUsers(ctx) }

// ChangePassword replaces the user's password after checking the old one.
func (s *Service) ChangePassword(ctx context.Context, userID int64, oldPassword, newPassword string) error {
	u, err := s.st.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	if auth.CheckPassword(u.PasswordHash, oldPassword) != nil {
		return Invalid("the current password is wrong", map[string]string{"old_password": "does not match"})
	}
	fields := map[string]string{}
	checkPassword("new_password", newPassword, fields)
	if len(fields) > 0 {
		return Invalid("invalid password", fields)
	}
	hash, err := auth.HashPassword(newPassword)
	if err != nil {
		return fmt.Errorf("helpdesk: change password: %w", err)
	}
	return s.st.WithTx(ctx, func(tx Tx) error {
		u, err := tx.UserByID(ctx, userID)
		if err != nil {
			return err
		}
		u.PasswordHash, u.UpdatedAt = hash, s.Now()
		return tx.UpdateUser(ctx, u)
	})
}
