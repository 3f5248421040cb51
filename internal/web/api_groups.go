package web

import (
	"context"
	"net/http"

	"wadesk/internal/helpdesk"
)

// createGroupBody is the body of POST /api/v1/groups.
type createGroupBody struct {
	Name      string `json:"name"`
	MemberIDs []ID   `json:"member_ids"`
}

// membersBody is the body of PUT /api/v1/groups/{id}/members: the complete
// new member list.
type membersBody struct {
	UserIDs []ID `json:"user_ids"`
}

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request) {
	p, err := PageFrom(r)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	groups, next, err := s.svc.ListGroups(r.Context(), p)
	if err != nil {
		WriteError(w, r, listError(err))
		return
	}
	views := make([]GroupView, len(groups))
	for i := range groups {
		// Groups are few (teams), so one member query per group is cheap.
		members, err := s.svc.GroupMembers(r.Context(), groups[i].ID)
		if err != nil {
			WriteError(w, r, err)
			return
		}
		views[i] = GroupJSON(&groups[i], members)
	}
	writeJSON(w, http.StatusOK, List(views, next))
}

func (s *Server) createGroup(w http.ResponseWriter, r *http.Request) {
	var body createGroupBody
	if err := DecodeJSON(w, r, &body); err != nil {
		WriteError(w, r, err)
		return
	}
	g, err := s.svc.CreateGroup(r.Context(), body.Name, ids(body.MemberIDs))
	if err != nil {
		WriteError(w, r, err)
		return
	}
	s.writeGroup(w, r, http.StatusCreated, g)
}

func (s *Server) getGroup(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	g, err := s.group(r.Context(), id)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	s.writeGroup(w, r, http.StatusOK, g)
}

func (s *Server) setGroupMembers(w http.ResponseWriter, r *http.Request) {
	id, err := PathID(r, "id")
	if err != nil {
		WriteError(w, r, err)
		return
	}
	var body membersBody
	if err := DecodeJSON(w, r, &body); err != nil {
		WriteError(w, r, err)
		return
	}
	g, err := s.group(r.Context(), id)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	if err := s.svc.SetGroupMembers(r.Context(), id, ids(body.UserIDs)); err != nil {
		WriteError(w, r, err)
		return
	}
	s.writeGroup(w, r, http.StatusOK, g)
}

// writeGroup answers with g and its current members.
func (s *Server) writeGroup(w http.ResponseWriter, r *http.Request, status int, g *helpdesk.Group) {
	members, err := s.svc.GroupMembers(r.Context(), g.ID)
	if err != nil {
		WriteError(w, r, err)
		return
	}
	writeJSON(w, status, GroupJSON(g, members))
}

// group finds one group by id.
func (s *Server) group(ctx context.Context, id int64) (*helpdesk.Group, error) {
	// The service has no Group(id) use case yet; reading the store is safe
	// here because groups are admin-only and carry no visibility rules.
	return s.svc.Store().GroupByID(ctx, id)
}
